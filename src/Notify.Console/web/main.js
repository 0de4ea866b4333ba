import './style.css';
document.getElementById('app').textContent = 'Notify console';
